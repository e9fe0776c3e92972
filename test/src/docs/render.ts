#!/usr/bin/env node
import { EVENTS_DOC, writeCatalog } from './catalog.js';

writeCatalog();
process.stdout.write(`updated ${EVENTS_DOC}\n`);
