export { pullCommand, pullMissing, pushCommand } from './pull-push.js';
export { loginCommand, logoutCommand } from './login.js';
