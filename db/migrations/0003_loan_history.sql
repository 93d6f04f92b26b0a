ALTER TABLE "loans" ADD COLUMN "changed_by" uuid NOT NULL;--> statement-breakpoint
ALTER TABLE "loans" ADD COLUMN "change_reason" text;--> statement-breakpoint
ALTER TABLE "facilities" ADD COLUMN "last_accrual_fen" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "loans" ADD CONSTRAINT "loans_changed_by_users_id_fk" FOREIGN KEY ("changed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;