package patching

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/edgeflock/flock/internal/fsutil"
)

// Key files. A public key file holds one line, "ed25519:" and the
// standard base64 of the 32-byte public key; a private key file holds
// "ed25519-private:" and the base64 of the 32-byte seed. A trailing
// newline is optional; nothing else is allowed.
const (
	publicKeyPrefix  = "ed25519:"
	privateKeyPrefix = "ed25519-private:"
	// PublicKeySuffix is the file name suffix of public keys in a
	// keyring directory and of the public half WriteKey writes.
	PublicKeySuffix = ".pub"
	maxKeyFileSize  = 1024
)

var b64 = base64.StdEncoding.Strict()

// GenerateKey returns a new Ed25519 signing key read from random (nil:
// crypto/rand).
func GenerateKey(random io.Reader) (ed25519.PrivateKey, error) {
	if random == nil {
		random = rand.Reader
	}
	_, priv, err := ed25519.GenerateKey(random)
	if err != nil {
		return nil, fmt.Errorf("patching: generate key: %w", err)
	}
	return priv, nil
}

// FormatPublicKey returns pub in the key file format ("ed25519:<base64>").
func FormatPublicKey(pub ed25519.PublicKey) string {
	return publicKeyPrefix + b64.EncodeToString(pub)
}

// ParsePublicKey parses a public key file's content. A bad one is a
// *FieldError for field "public_key".
func ParsePublicKey(b []byte) (ed25519.PublicKey, error) {
	raw, err := parseKeyLine(b, publicKeyPrefix, ed25519.PublicKeySize, "public_key")
	if err != nil {
		return nil, err
	}
	return ed25519.PublicKey(raw), nil
}

// ParsePrivateKey parses a private key file's content. A bad one is a
// *FieldError for field "private_key" (that does not quote the key).
func ParsePrivateKey(b []byte) (ed25519.PrivateKey, error) {
	seed, err := parseKeyLine(b, privateKeyPrefix, ed25519.SeedSize, "private_key")
	if err != nil {
		return nil, err
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

func parseKeyLine(b []byte, prefix string, size int, field string) ([]byte, error) {
	s := strings.TrimSuffix(string(b), "\n")
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok {
		return nil, invalid(field, "does not start with %q", prefix)
	}
	raw, err := b64.DecodeString(rest)
	if err != nil || len(raw) != size || b64.EncodeToString(raw) != rest {
		return nil, invalid(field, "is not the base64 of %d bytes", size)
	}
	return raw, nil
}

// WriteKey writes key's private half to path (mode 0600) and its public
// half to path+".pub" (mode 0644), each durably (temporary file, fsync,
// rename, fsync of the directory). Existing files are replaced.
func WriteKey(path string, key ed25519.PrivateKey) error {
	if len(key) != ed25519.PrivateKeySize {
		return invalid("private_key", "is not an Ed25519 private key")
	}
	priv := privateKeyPrefix + b64.EncodeToString(key.Seed()) + "\n"
	if err := writeFileDurable(path, []byte(priv), 0o600); err != nil {
		return err
	}
	pub := FormatPublicKey(key.Public().(ed25519.PublicKey)) + "\n"
	return writeFileDurable(path+PublicKeySuffix, []byte(pub), 0o644)
}

// ReadPrivateKey reads a private key file written by WriteKey.
func ReadPrivateKey(path string) (ed25519.PrivateKey, error) {
	b, err := readSmallFile(path)
	if err != nil {
		return nil, err
	}
	k, err := ParsePrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// ReadPublicKey reads a public key file.
func ReadPublicKey(path string) (ed25519.PublicKey, error) {
	b, err := readSmallFile(path)
	if err != nil {
		return nil, err
	}
	k, err := ParsePublicKey(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

func readSmallFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("patching: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("patching: read %s: %w", path, err)
	}
	if len(b) > maxKeyFileSize {
		return nil, invalid(path, "larger than %d bytes", maxKeyFileSize)
	}
	return b, nil
}

func writeFileDurable(path string, b []byte, mode os.FileMode) error {
	if err := fsutil.WriteFileAtomic(path, b, mode); err != nil {
		return fmt.Errorf("patching: %w", err)
	}
	return nil
}

// Keyring is the set of trusted release signing keys, by name. A
// release verifies only under a key of the keyring.
type Keyring map[string]ed25519.PublicKey

// LoadKeyring reads every "<name>.pub" file of dir (other files are
// ignored) as a public key named <name>. A bad file fails the whole
// load, naming it.
func LoadKeyring(dir string) (Keyring, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("patching: keyring: %w", err)
	}
	kr := Keyring{}
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), PublicKeySuffix)
		if !ok || name == "" || e.IsDir() {
			continue
		}
		k, err := ReadPublicKey(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("patching: keyring: %w", err)
		}
		kr[name] = k
	}
	return kr, nil
}

// lookup returns the name of pub in the keyring (the smallest, when a
// key is there twice).
func (k Keyring) lookup(pub ed25519.PublicKey) (string, bool) {
	var names []string
	for n, p := range k {
		if p.Equal(pub) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return "", false
	}
	sort.Strings(names)
	return names[0], true
}

// The signature member: a manifest that lists every other member of
// the release file in order with its size and SHA-256, the signer's
// public key, and an Ed25519 signature over all the preceding bytes.
//
//	flock-release-manifest v1
//	<sha256 hex> <size> metadata.yaml
//	<sha256 hex> <size> content.tar
//	<sha256 hex> <size> scripts/<name>
//	key ed25519:<base64>
//	signature <base64>
const manifestHeader = "flock-release-manifest v1\n"

type manifestEntry struct {
	name   string
	size   int64
	digest [sha256.Size]byte
}

type signatureFile struct {
	entries []manifestEntry
	key     ed25519.PublicKey
	sig     []byte
}

// signed returns the bytes the signature covers.
func (s *signatureFile) signed() []byte {
	var b bytes.Buffer
	b.WriteString(manifestHeader)
	for _, e := range s.entries {
		fmt.Fprintf(&b, "%s %d %s\n", hex.EncodeToString(e.digest[:]), e.size, e.name)
	}
	b.WriteString("key " + FormatPublicKey(s.key) + "\n")
	return b.Bytes()
}

func (s *signatureFile) render() []byte {
	return append(s.signed(), "signature "+b64.EncodeToString(s.sig)+"\n"...)
}

func signManifest(entries []manifestEntry, key ed25519.PrivateKey) []byte {
	s := &signatureFile{entries: entries, key: key.Public().(ed25519.PublicKey)}
	s.sig = ed25519.Sign(key, s.signed())
	return s.render()
}

// parseSignature parses the signature member. It accepts only the
// canonical rendering, so that no two signature members carry the same
// manifest and signature.
func parseSignature(b []byte) (*signatureFile, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%s: "+format+": %w", append([]any{memberSignature}, append(args, ErrTampered)...)...)
	}
	rest, ok := bytes.CutPrefix(b, []byte(manifestHeader))
	if !ok {
		return nil, bad("not a flock release manifest")
	}
	lines := strings.Split(string(rest), "\n")
	if len(lines) < 3 || lines[len(lines)-1] != "" {
		return nil, bad("truncated manifest")
	}
	lines = lines[:len(lines)-1]
	s := &signatureFile{}
	for _, l := range lines[:len(lines)-2] {
		f := strings.Split(l, " ")
		if len(f) != 3 {
			return nil, bad("bad manifest line %q", l)
		}
		var e manifestEntry
		d, err := hex.DecodeString(f[0])
		if err != nil || len(d) != sha256.Size {
			return nil, bad("bad digest in manifest line %q", l)
		}
		copy(e.digest[:], d)
		if e.size, err = strconv.ParseInt(f[1], 10, 64); err != nil || e.size < 0 {
			return nil, bad("bad size in manifest line %q", l)
		}
		e.name = f[2]
		s.entries = append(s.entries, e)
	}
	keyLine, ok := strings.CutPrefix(lines[len(lines)-2], "key ")
	if !ok {
		return nil, bad("no key line")
	}
	pub, err := ParsePublicKey([]byte(keyLine))
	if err != nil {
		return nil, bad("bad key line")
	}
	s.key = pub
	sigLine, ok := strings.CutPrefix(lines[len(lines)-1], "signature ")
	if !ok {
		return nil, bad("no signature line")
	}
	if s.sig, err = b64.DecodeString(sigLine); err != nil || len(s.sig) != ed25519.SignatureSize {
		return nil, bad("bad signature line")
	}
	if !bytes.Equal(s.render(), b) {
		return nil, bad("not in canonical form")
	}
	return s, nil
}
