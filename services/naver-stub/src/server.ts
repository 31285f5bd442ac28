import { main } from '@memo/common';
import { SERVICE, buildStub } from './app.js';

await main(SERVICE, () => Promise.resolve(buildStub()));
