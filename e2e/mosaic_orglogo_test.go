package e2e

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"testing"
)

// upload posts one file as Mosaic's logo upload does: multipart/form-data.
func (e *env) upload(path, bearer, filename string, data []byte) response {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		e.t.Fatal(err)
	}
	_, _ = fw.Write(data)
	if err := mw.Close(); err != nil {
		e.t.Fatal(err)
	}
	req, err := http.NewRequest("POST", e.url+path, &body)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	return e.send(req)
}

// pngBytes is the start of a PNG file followed by filler: Latchkey checks the signature.
func pngBytes(n int) []byte {
	return append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, n)...)
}

// A backend uploads an organization's logo as Mosaic's API takes it, and reads the image back
// with headers that keep a browser from running it. SVG, other types and images over 256 KiB
// are refused and leave the stored logo as it was; a JSON body is no upload.
func TestMosaicOrgLogo(t *testing.T) {
	backends(t, func(t *testing.T, o envOptions) {
		e := newEnv(t, o)
		admin := e.adminToken()
		res := e.do("POST", "/cis/v1/organizations", admin, map[string]any{"name": "Logo Co", "app_ids": []string{e.boot.AppID}})
		wantStatus(t, res, 201, "")
		org := result(t, res)["organization_id"].(string)
		path := "/cis/v1/organizations/" + org + "/logo"

		wantStatus(t, e.do("GET", path+"/image", admin, nil), 404, "")
		logo := pngBytes(1000)
		wantStatus(t, e.upload(path, admin, "logo.png", logo), 204, "")
		got := e.do("GET", path+"/image", admin, nil)
		wantStatus(t, got, 200, "")
		if !bytes.Equal(got.Body, logo) || got.Header.Get("Content-Type") != "image/png" || got.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("logo read back: %d bytes, %v", len(got.Body), got.Header)
		}

		svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
		wantStatus(t, e.upload(path, admin, "logo.png", svg), 400, "")                  // named .png, still SVG
		wantStatus(t, e.upload(path, admin, "logo.gif", []byte("GIF89a....")), 400, "") // not PNG or JPEG
		big := e.upload(path, admin, "big.png", pngBytes(256<<10))
		if big.Status != 400 && big.Status != 413 {
			t.Errorf("an image over 256 KiB: %d %s", big.Status, big.Body)
		}
		wantStatus(t, e.do("POST", path, admin, map[string]any{"file": "x"}), 400, "")
		wantStatus(t, e.upload(path, e.appToken(), "logo.png", pngBytes(10)), 403, "")
		wantStatus(t, e.upload("/cis/v1/organizations/nosuchorg/logo", admin, "logo.png", pngBytes(10)), 404, "")
		if again := e.do("GET", path+"/image", admin, nil); !bytes.Equal(again.Body, logo) {
			t.Errorf("a refused upload changed the logo")
		}

		jpeg := append([]byte{0xff, 0xd8, 0xff, 0xe0}, bytes.Repeat([]byte{1}, 50)...)
		wantStatus(t, e.upload(path, admin, "logo.jpg", jpeg), 204, "")
		if got := e.do("GET", path+"/image", admin, nil); got.Header.Get("Content-Type") != "image/jpeg" || !bytes.Equal(got.Body, jpeg) {
			t.Errorf("the JPEG logo read back as %s", got.Header.Get("Content-Type"))
		}
		// Deleting the organization deletes its logo.
		wantStatus(t, e.do("DELETE", "/cis/v1/organizations/"+org, admin, nil), 204, "")
		wantStatus(t, e.do("GET", path+"/image", admin, nil), 404, "")
	})
}
