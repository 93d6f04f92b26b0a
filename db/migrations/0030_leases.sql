-- an Idempotency-Key claim's lease: renewed while its request runs, so a claim of a process that died is released within seconds
ALTER TABLE "idempotency_keys" ADD COLUMN "heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
-- when an upload's job was taken up again after its earlier attempt was interrupted (a stalled worker or an error)
ALTER TABLE "uploads" ADD COLUMN "resumed_at" timestamp with time zone;--> statement-breakpoint
-- the audit chain's head when the version was published, in a statement signed with the publication key
ALTER TABLE "disclosure_signatures" ADD COLUMN "audit_anchor" jsonb;
