// Package deploy holds Latchkey's deployment files (the compose file, the reverse proxy's
// configuration, the systemd unit) and the tests that hold them, and the Dockerfile at the
// repository's root, to what docs/deploy.md promises. It has no code of its own: no Docker
// engine or systemd is needed to check the files, so the tests read them.
package deploy
