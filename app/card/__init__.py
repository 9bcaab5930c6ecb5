"""My card: a public page of what I choose to show, "leave your details" with consent, and "where I'll be"."""
