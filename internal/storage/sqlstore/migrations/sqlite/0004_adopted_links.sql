-- Latchkey schema 4: whether a user's link to an application adopted an existing user (user
-- creation with an identifier someone already has, or a sign-in through an application the user
-- was not linked to) rather than coming with the user's creation. An adopted user is not the
-- application's own to change. Links made under earlier schemas read as not adopted.

ALTER TABLE app_users ADD COLUMN adopted INTEGER NOT NULL DEFAULT 0;
