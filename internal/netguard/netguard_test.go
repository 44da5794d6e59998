package netguard

import (
	"net/netip"
	"testing"
)

func TestCheckRefusesEveryAddressThatIsNotThePublicInternet(t *testing.T) {
	for ip, refused := range map[string]bool{
		"127.0.0.1": true, "::1": true, "10.1.2.3": true, "172.16.0.1": true, "192.168.1.1": true,
		"169.254.169.254": true, "fd00:ec2::254": true, "100.100.100.200": true, "0.0.0.0": true, "::": true,
		"224.0.0.1": true, "ff02::1": true, "fe80::1": true, "::ffff:10.0.0.1": true, "255.255.255.255": true,
		"240.0.0.1": true, "64:ff9b::a00:1": true,
		"8.8.8.8": false, "1.1.1.1": false, "2606:4700:4700::1111": false, "203.0.114.1": false,
	} {
		if got := Check(netip.MustParseAddr(ip)) != ""; got != refused {
			t.Errorf("Check(%s) refused = %v, want %v", ip, got, refused)
		}
	}
}

func TestAllowHostsByHostOrHostAndPort(t *testing.T) {
	hosts, err := ParseAllowHosts(" 127.0.0.1:8080 , media.internal ,[::1]:9000")
	if err != nil {
		t.Fatal(err)
	}
	p := New(hosts)
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "127.0.0.1:8081": false, "media.internal:443": true, "MEDIA.internal:80": true,
		"[::1]:9000": true, "[::1]:9001": false, "other.internal:443": false,
	} {
		if got := p.Allowed(addr); got != want {
			t.Errorf("Allowed(%s) = %v, want %v", addr, got, want)
		}
	}
	for _, bad := range []string{"http://x", "user@x", ":80"} {
		if _, err := ParseAllowHosts(bad); err == nil {
			t.Errorf("ParseAllowHosts(%q) accepted", bad)
		}
	}
}
