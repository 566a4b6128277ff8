export { buildCommand } from './build.js';
