import express from 'express';
import { expressSuite } from './express-suite.js';

expressSuite('Express 5', express);
