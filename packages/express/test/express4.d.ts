// express@4 installed under an alias for the version matrix; its API is typed like express 5's where the suite uses it
declare module 'express4' {
  import express from 'express';
  export default express;
}
