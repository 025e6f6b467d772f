package deliverytest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

// ReceivedMessage is one message the SMTPServer accepted.
type ReceivedMessage struct {
	EnvelopeFrom string   // MAIL FROM
	EnvelopeTo   []string // RCPT TO
	AuthUser     string   // the user name of SMTP AUTH, if any
	TLS          bool     // whether the session was encrypted
	Raw          []byte   // the message as received (RFC 5322)

	Header  mail.Header
	From    string // decoded header values
	To      string
	Subject string
	Text    string // the decoded text/plain part, with LF line endings
	HTML    string // the decoded text/html part, with LF line endings
}

// parse fills the header and body fields of r from r.Raw.
func (r *ReceivedMessage) parse() error {
	msg, err := mail.ReadMessage(bytes.NewReader(r.Raw))
	if err != nil {
		return fmt.Errorf("read message: %w", err)
	}
	r.Header = msg.Header
	dec := new(mime.WordDecoder)
	for _, f := range []struct {
		name string
		dst  *string
	}{{"From", &r.From}, {"To", &r.To}, {"Subject", &r.Subject}} {
		v, err := dec.DecodeHeader(msg.Header.Get(f.name))
		if err != nil {
			return fmt.Errorf("decode %s: %w", f.name, err)
		}
		*f.dst = v
	}
	return r.parseBody(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
}

// parseBody walks a (possibly multipart) body and keeps its text and HTML parts.
func (r *ReceivedMessage) parseBody(contentType, encoding string, body io.Reader) error {
	if contentType == "" {
		contentType = "text/plain"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("parse content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return fmt.Errorf("read part: %w", err)
			}
			if err := r.parseBody(part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"), part); err != nil {
				return err
			}
		}
	}
	content, err := io.ReadAll(decodeTransfer(encoding, body))
	if err != nil {
		return fmt.Errorf("decode %s part: %w", mediaType, err)
	}
	text := strings.ReplaceAll(string(content), "\r\n", "\n")
	switch mediaType {
	case "text/plain":
		r.Text = text
	case "text/html":
		r.HTML = text
	}
	return nil
}

func decodeTransfer(encoding string, body io.Reader) io.Reader {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		return quotedprintable.NewReader(body)
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, body) // line breaks are skipped
	default:
		return body
	}
}
