-- Contact details are sealed by the application (ChaCha20-Poly1305); a keyed hash of the phone
-- number lets staff find every report from one number without decrypting them all.
ALTER TABLE request_contacts ADD COLUMN phone_hash TEXT;
CREATE INDEX request_contacts_phone_hash ON request_contacts(phone_hash);
