-- Events are append-only: no SQL path may change or remove one.
CREATE TRIGGER `events_no_update` BEFORE UPDATE ON `events`
BEGIN
	SELECT RAISE(ABORT, 'events are append-only');
END;
--> statement-breakpoint
CREATE TRIGGER `events_no_delete` BEFORE DELETE ON `events`
BEGIN
	SELECT RAISE(ABORT, 'events are append-only');
END;
--> statement-breakpoint
-- Word-prefix search over a contact's name, company, e-mail and phone (contacts list `q`).
-- External-content FTS5 index kept in step with `contacts` by the triggers below.
CREATE VIRTUAL TABLE `contacts_fts` USING fts5(
	name, company, email, phone,
	content='contacts', content_rowid='id',
	tokenize='unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `contacts_fts_ai` AFTER INSERT ON `contacts`
BEGIN
	INSERT INTO contacts_fts(rowid, name, company, email, phone)
	VALUES (new.id, new.name, new.company, new.email, new.phone);
END;
--> statement-breakpoint
CREATE TRIGGER `contacts_fts_ad` AFTER DELETE ON `contacts`
BEGIN
	INSERT INTO contacts_fts(contacts_fts, rowid, name, company, email, phone)
	VALUES ('delete', old.id, old.name, old.company, old.email, old.phone);
END;
--> statement-breakpoint
CREATE TRIGGER `contacts_fts_au` AFTER UPDATE OF name, company, email, phone ON `contacts`
BEGIN
	INSERT INTO contacts_fts(contacts_fts, rowid, name, company, email, phone)
	VALUES ('delete', old.id, old.name, old.company, old.email, old.phone);
	INSERT INTO contacts_fts(rowid, name, company, email, phone)
	VALUES (new.id, new.name, new.company, new.email, new.phone);
END;
