export { pullCommand, pushCommand } from './pull-push.js';
export { loginCommand, logoutCommand } from './login.js';
