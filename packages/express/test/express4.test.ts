import express4 from 'express4';
import { expressSuite } from './express-suite.js';

expressSuite('Express 4', express4);
