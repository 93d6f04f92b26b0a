ALTER TABLE "institutions" ADD COLUMN "category" text;--> statement-breakpoint
ALTER TABLE "institutions" ADD COLUMN "province" text;--> statement-breakpoint
ALTER TABLE "institutions" ADD COLUMN "unified_social_credit_code" text;--> statement-breakpoint
ALTER TABLE "institutions" ADD COLUMN "category_exception" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "institutions" ADD CONSTRAINT "institutions_unified_social_credit_code_unique" UNIQUE("unified_social_credit_code");--> statement-breakpoint
ALTER TABLE "institutions" ADD CONSTRAINT "institutions_category" CHECK ("institutions"."category" is null or "institutions"."category" in ('national','local_legal_person','foreign'));
