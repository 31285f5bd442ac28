import { main } from '@memo/common/service';
import { SERVICE, buildStub } from './app.js';

await main(SERVICE, () => Promise.resolve(buildStub()));
