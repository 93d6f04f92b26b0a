-- a large import is booked in parts, each in its own transaction: the import row is written with the
-- first part (status booking) and completed with the last; progress holds what the parts booked so far
ALTER TABLE "imports" DROP CONSTRAINT "imports_status";--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_status" CHECK ("status" in ('booking', 'completed'));--> statement-breakpoint
ALTER TABLE "imports" ADD COLUMN "progress" jsonb;
--> statement-breakpoint
-- on the embedded database an upload is written a chunk per transaction: the last file row written
ALTER TABLE "uploads" ADD COLUMN "rows_committed" integer;
