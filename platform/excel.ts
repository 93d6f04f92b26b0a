/**
 * exceljs, with one fix: its streaming reader (exceljs 4.4.0, lib/utils/parse-sax.js) decodes each
 * chunk of a sheet's XML on its own, so a multi-byte UTF-8 character split across two chunks comes out
 * as U+FFFD (a Chinese name read as "内蒙���自治区"). The fixed parser decodes the stream with one
 * streaming TextDecoder. The fix is put in the module cache before exceljs loads, so every part of the
 * project imports exceljs from here.
 */
import { createRequire } from 'node:module';
import type ExcelJSModule from 'exceljs';

const require = createRequire(import.meta.url);

function fixedParseSax(
  SaxesParser: new () => {
    on(event: string, fn: (value: unknown) => void): void;
    write(text: string): void;
  },
) {
  return async function* parseSax(iterable: AsyncIterable<unknown> & { pipe?: unknown }) {
    const parser = new SaxesParser();
    let error: unknown;
    parser.on('error', (err) => (error = err));
    let events: { eventType: string; value: unknown }[] = [];
    parser.on('opentag', (value) => events.push({ eventType: 'opentag', value }));
    parser.on('text', (value) => events.push({ eventType: 'text', value }));
    parser.on('closetag', (value) => events.push({ eventType: 'closetag', value }));
    const decoder = new TextDecoder('utf-8');
    for await (const chunk of iterable) {
      parser.write(typeof chunk === 'string' ? chunk : decoder.decode(chunk as Uint8Array, { stream: true }));
      if (error) throw error;
      yield events;
      events = [];
    }
    const rest = decoder.decode();
    if (rest) {
      parser.write(rest);
      if (error) throw error;
      yield events;
    }
  };
}

function loadExcelJs(): typeof ExcelJSModule {
  const parseSaxPath = require.resolve('exceljs/lib/utils/parse-sax.js');
  const cache = require.cache as Record<string, NodeModule | undefined>;
  if (!cache[parseSaxPath]) {
    const { SaxesParser } = require('saxes') as { SaxesParser: Parameters<typeof fixedParseSax>[0] };
    require(parseSaxPath);
    cache[parseSaxPath]!.exports = fixedParseSax(SaxesParser);
  }
  return require('exceljs') as typeof ExcelJSModule;
}

export const ExcelJS = loadExcelJs();
