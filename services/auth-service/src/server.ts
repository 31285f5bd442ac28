import { main } from '@memo/common';
import { loadAuthConfig } from './config.js';
import { SERVICE, buildAuthService } from './app.js';

await main(SERVICE, () => buildAuthService(loadAuthConfig()));
