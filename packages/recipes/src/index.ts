// Public surface of @zoo/recipes: one recipe per file, each exported from here.
export {};
