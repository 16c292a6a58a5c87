"""Access control: roles and permissions, accounts and passwords, sign-in throttling, workshop codes, audit."""
