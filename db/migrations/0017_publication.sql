CREATE TABLE "disclosure_signatures" (
	"disclosure_version_id" uuid PRIMARY KEY NOT NULL,
	"kid" text NOT NULL,
	"signed_sha256" text NOT NULL,
	"signature" text NOT NULL,
	"signed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "published_pages" (
	"disclosure_version_id" uuid NOT NULL,
	"variant" text NOT NULL,
	"template" integer NOT NULL,
	"etag" text NOT NULL,
	"body" "bytea" NOT NULL,
	"gzip" "bytea" NOT NULL,
	"brotli" "bytea" NOT NULL,
	"rendered_at" timestamp with time zone NOT NULL,
	CONSTRAINT "published_pages_disclosure_version_id_variant_template_pk" PRIMARY KEY("disclosure_version_id","variant","template")
);
--> statement-breakpoint
CREATE TABLE "signing_keys" (
	"kid" text PRIMARY KEY NOT NULL,
	"algorithm" text DEFAULT 'Ed25519' NOT NULL,
	"public_pem" text NOT NULL,
	"private_pem" text,
	"created_at" timestamp with time zone NOT NULL,
	"retired_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "disclosure_signatures" ADD CONSTRAINT "disclosure_signatures_disclosure_version_id_disclosure_versions_id_fk" FOREIGN KEY ("disclosure_version_id") REFERENCES "public"."disclosure_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disclosure_signatures" ADD CONSTRAINT "disclosure_signatures_kid_signing_keys_kid_fk" FOREIGN KEY ("kid") REFERENCES "public"."signing_keys"("kid") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "published_pages" ADD CONSTRAINT "published_pages_disclosure_version_id_disclosure_versions_id_fk" FOREIGN KEY ("disclosure_version_id") REFERENCES "public"."disclosure_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "signing_keys_one_in_use" ON "signing_keys" USING btree ((true)) WHERE "signing_keys"."retired_at" is null;