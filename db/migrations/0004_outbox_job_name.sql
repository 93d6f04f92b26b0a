-- The outbox row carries its job's name (the relay used to derive it from the job id's prefix).
-- Existing rows take that prefix: 'compile-quarter.2022Q3' → 'compile-quarter', 'compile.CITIC.2022Q3.v1' → 'compile'.
ALTER TABLE "outbox" ADD COLUMN "name" text;--> statement-breakpoint
UPDATE "outbox" SET "name" = split_part("job_id", '.', 1);--> statement-breakpoint
ALTER TABLE "outbox" ALTER COLUMN "name" SET NOT NULL;
