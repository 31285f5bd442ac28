import { main } from '@memo/common';
import { loadMemoConfig } from './config.js';
import { SERVICE, buildMemoService } from './app.js';

await main(SERVICE, () => buildMemoService(loadMemoConfig()));
