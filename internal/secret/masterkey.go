package secret

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// errMasterKeyFormat is deliberately silent about the value: it may be a real key mistyped.
var errMasterKeyFormat = errors.New("master key must be 32 bytes encoded as base64 (standard or URL-safe, padded or not) or as 64 hex digits")

// ParseMasterKey decodes a master key written as base64 (standard or URL alphabet, with or
// without padding) or as hex. Surrounding white space is ignored. The result must be exactly
// 32 bytes.
func ParseMasterKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("master key is empty")
	}
	// Hex first: 64 hex digits are also valid base64, of the wrong length.
	if len(s) == 2*MasterKeySize {
		if b, err := hex.DecodeString(s); err == nil {
			return b, nil
		}
	}
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		b, err := enc.DecodeString(s)
		if err != nil {
			continue
		}
		if len(b) != MasterKeySize {
			return nil, fmt.Errorf("%w; it decodes to %d bytes", errMasterKeyFormat, len(b))
		}
		return b, nil
	}
	return nil, errMasterKeyFormat
}

// EncodeMasterKey writes a master key as unpadded URL-safe base64, the form ParseMasterKey
// reads and configuration files can hold without quoting.
func EncodeMasterKey(key []byte) string {
	return base64.RawURLEncoding.EncodeToString(key)
}
