import { main } from '@memo/common';
import { SERVICE, buildWebService } from './app.js';

await main(SERVICE, () => Promise.resolve(buildWebService()));
