package main

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// authority is the cluster's certificate authority: it signs the API server's serving certificate and every
// component's client certificate. Made once per node (kept across restarts in the node's state directory).
type authority struct {
	certificate *x509.Certificate
	key         crypto.Signer
}

const validity = 365 * 24 * time.Hour

// loadOrCreateAuthority reads ca.crt/ca.key from directory, or makes them.
func loadOrCreateAuthority(directory string) (*authority, error) {
	certificateFile, keyFile := filepath.Join(directory, "ca.crt"), filepath.Join(directory, "ca.key")
	if _, err := os.Stat(keyFile); err == nil {
		certificate, key, err := readPair(certificateFile, keyFile)
		if err != nil {
			return nil, err
		}
		return &authority{certificate: certificate, key: key}, nil
	}
	key, err := newKey()
	if err != nil {
		return nil, err
	}
	template := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "platform-development-cluster-ca"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(10 * validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, key.Public(), key)
	if err != nil {
		return nil, err
	}
	certificate, _ := x509.ParseCertificate(der)
	if err := writePair(certificateFile, keyFile, der, key); err != nil {
		return nil, err
	}
	return &authority{certificate: certificate, key: key}, nil
}

// issue writes <name>.crt and <name>.key signed by the authority, unless they exist: a client certificate
// (organizations are Kubernetes groups) or, with hosts, a serving certificate for those names and addresses.
func (a *authority) issue(directory, name, commonName string, organizations []string, hosts []string) error {
	certificateFile, keyFile := filepath.Join(directory, name+".crt"), filepath.Join(directory, name+".key")
	if _, err := os.Stat(keyFile); err == nil {
		return nil
	}
	key, err := newKey()
	if err != nil {
		return err
	}
	template := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: commonName, Organization: organizations},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(validity),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	if len(hosts) > 0 {
		template.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
		for _, host := range hosts {
			if ip := net.ParseIP(host); ip != nil {
				template.IPAddresses = append(template.IPAddresses, ip)
			} else {
				template.DNSNames = append(template.DNSNames, host)
			}
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, template, a.certificate, key.Public(), a.key)
	if err != nil {
		return err
	}
	return writePair(certificateFile, keyFile, der, key)
}

// serviceAccountKey writes the key pair that signs service account tokens, unless it exists.
func serviceAccountKey(directory string) error {
	keyFile := filepath.Join(directory, "sa.key")
	if _, err := os.Stat(keyFile); err == nil {
		return nil
	}
	key, err := newKey()
	if err != nil {
		return err
	}
	public, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(directory, "sa.pub"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: public}), 0o644); err != nil {
		return err
	}
	return writeKey(keyFile, key)
}

// newKey makes an RSA key: every client of the cluster reads those (the tests' Java client needs no extra
// provider, as it would for EC keys).
func newKey() (*rsa.PrivateKey, error) {
	return rsa.GenerateKey(rand.Reader, 2048)
}

func writePair(certificateFile, keyFile string, der []byte, key *rsa.PrivateKey) error {
	if err := os.WriteFile(certificateFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		return err
	}
	return writeKey(keyFile, key)
}

func writeKey(file string, key *rsa.PrivateKey) error {
	encoded := x509.MarshalPKCS1PrivateKey(key)
	return os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: encoded}), 0o600)
}

func readPair(certificateFile, keyFile string) (*x509.Certificate, crypto.Signer, error) {
	certificatePEM, err := os.ReadFile(certificateFile)
	if err != nil {
		return nil, nil, err
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, nil, err
	}
	certificateBlock, _ := pem.Decode(certificatePEM)
	keyBlock, _ := pem.Decode(keyPEM)
	if certificateBlock == nil || keyBlock == nil {
		return nil, nil, fmt.Errorf("%s or %s is not PEM", certificateFile, keyFile)
	}
	certificate, err := x509.ParseCertificate(certificateBlock.Bytes)
	if err != nil {
		return nil, nil, err
	}
	key, err := x509.ParsePKCS1PrivateKey(keyBlock.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", keyFile, err)
	}
	return certificate, key, nil
}

func serial() *big.Int {
	value, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	return value
}
