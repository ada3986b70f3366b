/** The browser-safe part of the PTB-XL data layer (everything but `node.ts`). */
export * from './types';
export * from './errors';
export * from './wfdb';
export * from './csv';
export * from './scp';
export * from './database';
export * from './samples';
