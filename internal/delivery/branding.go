package delivery

import (
	htmltemplate "html/template"
	"regexp"
	"strconv"
	"strings"
)

// DefaultPrimaryColor is the accent colour of messages whose application set none, or set one
// that is not a hex colour.
const DefaultPrimaryColor = "#2563eb"

var hexColor = regexp.MustCompile(`^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`)

// logoPattern accepts base64 data URIs of raster images and SVG. SVG is safe here because mail
// clients show an <img> source as an image and never run its scripts.
var logoPattern = regexp.MustCompile(`^data:image/(?:png|jpeg|gif|svg\+xml);base64,[A-Za-z0-9+/]+={0,2}$`)

// maxLogoLen bounds an inline logo; mail clients clip large messages.
const maxLogoLen = 100 << 10

// cssColor returns c when it is a hex colour, else the default. Only a validated value is
// marked safe CSS: the colour is placed inside style attributes.
func cssColor(c string) htmltemplate.CSS {
	c = strings.TrimSpace(c)
	if !hexColor.MatchString(c) {
		c = DefaultPrimaryColor
	}
	return htmltemplate.CSS(strings.ToLower(c))
}

// contrastText picks dark or white text for a button of background colour c (a value returned
// by cssColor), by its perceived brightness.
func contrastText(c htmltemplate.CSS) htmltemplate.CSS {
	hex := strings.TrimPrefix(string(c), "#")
	if len(hex) == 3 {
		hex = string([]byte{hex[0], hex[0], hex[1], hex[1], hex[2], hex[2]})
	}
	v, err := strconv.ParseUint(hex, 16, 32)
	if err != nil {
		return "#ffffff"
	}
	r, g, b := float64(v>>16&0xff), float64(v>>8&0xff), float64(v&0xff)
	if 0.299*r+0.587*g+0.114*b > 160 {
		return "#111827"
	}
	return "#ffffff"
}

// logoURI returns uri when it is an acceptable image data URI, else nothing (no logo).
func logoURI(uri string) htmltemplate.URL {
	uri = strings.TrimSpace(uri)
	if len(uri) > maxLogoLen || !logoPattern.MatchString(uri) {
		return ""
	}
	return htmltemplate.URL(uri)
}
