// Package console is a delivery.Sender for development: instead of sending a message it writes
// a readable block (recipient, subject and text part) to a writer, usually standard error, so
// that one-time codes can be read off the terminal.
package console
