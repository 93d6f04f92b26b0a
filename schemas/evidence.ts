/** Evidence files (content-addressed uploads of the projects' documents) and verification query threads. */
import { z } from 'zod';
import { Sha256Hex } from './common.js';

export const EvidencePath = z.object({ sha256: Sha256Hex }).meta({ id: 'EvidencePath' });

export const EvidenceFile = z
  .object({
    sha256: z.string().describe('the SHA-256 of the bytes, equal to the hash the project declared'),
    title: z.string().describe("the document's title as the caller's project (or the sample) declares it"),
    mediaType: z.enum(['application/pdf', 'image/png', 'image/jpeg', 'image/webp']),
    sizeBytes: z.number().int(),
    uploadedAt: z.string(),
    url: z.string().describe('where the file is read (GET)'),
  })
  .meta({ id: 'EvidenceFile' });

const Text = z.string().trim().min(1).max(4000);

export const RaiseQueryBody = z
  .object({ loanId: z.string().uuid().describe('a loan of the sample'), text: Text })
  .strict()
  .meta({ id: 'RaiseQuery' });

export const AnswerQueryBody = z.object({ text: Text }).strict().meta({ id: 'AnswerQuery' });

export const QueriesQuery = z
  .object({ version: z.coerce.number().int().min(1).optional().describe('the version (default: the latest)') })
  .meta({ id: 'QueriesQuery' });

export const ThreadMessage = z
  .object({
    id: z.string(),
    by: z.string().describe("the user's name"),
    institution: z.string().describe("the user's institution code"),
    at: z.string(),
    text: z.string(),
  })
  .meta({ id: 'ThreadMessage' });

export const QueryThread = z
  .object({
    id: z.string(),
    loanId: z.string(),
    loanRef: z.string(),
    question: ThreadMessage,
    answers: z.array(ThreadMessage),
  })
  .meta({ id: 'QueryThread' });

export const QueryThreads = z
  .object({ institution: z.string(), quarter: z.string(), version: z.number().int(), items: z.array(QueryThread) })
  .meta({ id: 'QueryThreads' });
