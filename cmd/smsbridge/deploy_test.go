package main

import (
	"bufio"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/smsbridge/smsbridge/telnyxhook"
)

// The deployment files (Dockerfile, compose.yaml, smsbridge.env.example) are
// not built or run here (no Docker daemon on CI machines is assumed); these
// tests check what can be checked without one.

const repoRoot = "../.."

type composeService struct {
	Image       string            `yaml:"image"`
	Build       any               `yaml:"build"`
	EnvFile     any               `yaml:"env_file"`
	Environment map[string]string `yaml:"environment"`
	DependsOn   map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
	Healthcheck struct {
		Test []string `yaml:"test"`
	} `yaml:"healthcheck"`
	Ports []string `yaml:"ports"`
}

func readCompose(t *testing.T) map[string]composeService {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Services map[string]composeService `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	return f.Services
}

// replicas are the compose services built from this repository's Dockerfile.
func replicas(services map[string]composeService) map[string]composeService {
	out := map[string]composeService{}
	for name, s := range services {
		if s.Build != nil {
			out[name] = s
		}
	}
	return out
}

func envFiles(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func TestComposeRunsTwoReplicasOnOneHealthyPostgres(t *testing.T) {
	services := readCompose(t)
	pg, ok := services["postgres"]
	if !ok {
		t.Fatal("compose.yaml has no postgres service")
	}
	if !strings.HasPrefix(pg.Image, "postgres:15") {
		t.Errorf("postgres image %q, want postgres:15", pg.Image)
	}
	if len(pg.Healthcheck.Test) == 0 {
		t.Error("postgres has no healthcheck: the replicas cannot wait for it")
	}
	reps := replicas(services)
	if len(reps) < 2 {
		t.Fatalf("%d smsbridge replicas in compose.yaml, want at least 2", len(reps))
	}
	ids := map[string]string{}
	ports := map[string]string{}
	var dbURL string
	for name, s := range reps {
		if s.DependsOn["postgres"].Condition != "service_healthy" {
			t.Errorf("%s: depends_on postgres %+v, want condition service_healthy", name, s.DependsOn["postgres"])
		}
		if files := envFiles(s.EnvFile); len(files) != 1 || files[0] != "smsbridge.env" {
			t.Errorf("%s: env_file %v, want smsbridge.env", name, files)
		}
		id := s.Environment["SMSBRIDGE_INSTANCE_ID"]
		if !validInstance(id) {
			t.Errorf("%s: SMSBRIDGE_INSTANCE_ID %q is not a valid instance id", name, id)
		}
		if other, dup := ids[id]; dup {
			t.Errorf("%s and %s share SMSBRIDGE_INSTANCE_ID %q", name, other, id)
		}
		ids[id] = name
		u := s.Environment["DATABASE_URL"]
		if dbURL == "" {
			dbURL = u
		} else if u != dbURL {
			t.Errorf("%s: DATABASE_URL %q differs from another replica's %q", name, u, dbURL)
		}
		for _, p := range s.Ports {
			hostPort := p[:strings.LastIndex(p, ":")]
			if other, dup := ports[hostPort]; dup {
				t.Errorf("%s and %s both publish %s", name, other, hostPort)
			}
			ports[hostPort] = name
			if !strings.HasSuffix(p, ":8080") {
				t.Errorf("%s: port %q, want the container's 8080", name, p)
			}
		}
	}
	u, err := url.Parse(interpolate(dbURL, map[string]string{"POSTGRES_PASSWORD": "pw"}))
	if err != nil || u.Scheme != "postgres" || u.Hostname() != "postgres" {
		t.Fatalf("DATABASE_URL %q: want postgres://…@postgres:5432/… (the compose service)", dbURL)
	}
	if user := u.User.Username(); user != pg.Environment["POSTGRES_USER"] || strings.TrimPrefix(u.Path, "/") != pg.Environment["POSTGRES_DB"] {
		t.Errorf("DATABASE_URL user %q db %q, postgres service creates user %q db %q",
			user, u.Path, pg.Environment["POSTGRES_USER"], pg.Environment["POSTGRES_DB"])
	}
}

// interpolate does compose's ${VAR}, ${VAR:?message} and ${VAR:-default}.
func interpolate(s string, vars map[string]string) string {
	re := regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?::[?-]([^}]*))?\}`)
	return re.ReplaceAllStringFunc(s, func(m string) string {
		sub := re.FindStringSubmatch(m)
		if v, ok := vars[sub[1]]; ok && v != "" {
			return v
		}
		if strings.HasPrefix(m[len(sub[1])+2:], ":-") {
			return sub[2]
		}
		return ""
	})
}

func readEnvFile(t *testing.T, name string) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("%s: %q is not KEY=VALUE", name, line)
		}
		env[k] = v
	}
	return env
}

// Each replica, started with smsbridge.env.example's values and its compose
// environment, loads its settings: the example names every required one.
func TestEnvExampleHasEveryRequiredSetting(t *testing.T) {
	example := readEnvFile(t, "smsbridge.env.example")
	if example["POSTGRES_PASSWORD"] == "" {
		t.Error("smsbridge.env.example has no POSTGRES_PASSWORD (compose.yaml needs it)")
	}
	for name, s := range replicas(readCompose(t)) {
		env := map[string]string{}
		for k, v := range example {
			env[k] = v
		}
		for k, v := range s.Environment {
			env[k] = interpolate(v, example)
		}
		cfg, err := loadConfig(func(k string) string { return env[k] })
		if err != nil {
			t.Fatalf("%s with smsbridge.env.example: %v", name, err)
		}
		if _, err := telnyxhook.NewVerifier(cfg.TelnyxPublicKey); err != nil {
			t.Errorf("%s: the example's TELNYX_PUBLIC_KEY: %v", name, err)
		}
		if cfg.Instance != s.Environment["SMSBRIDGE_INSTANCE_ID"] {
			t.Errorf("%s: instance %q", name, cfg.Instance)
		}
		if !strings.HasPrefix(cfg.DatabaseURL, "postgres://") || strings.Contains(cfg.DatabaseURL, "${") {
			t.Errorf("%s: DATABASE_URL %q after interpolation", name, cfg.DatabaseURL)
		}
		if cfg.PublicBaseURL == "" {
			t.Errorf("%s: no PUBLIC_BASE_URL in the example (outbound MMS needs the load balancer's address)", name)
		}
	}
}

// dockerfile returns the Dockerfile's instructions, continuation lines
// joined, split into stages (one per FROM).
func dockerfile(t *testing.T) [][]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var stages [][]string
	var cur string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if cur == "" && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if strings.HasSuffix(line, "\\") {
			cur += strings.TrimSuffix(line, "\\") + " "
			continue
		}
		cur += line
		if strings.HasPrefix(strings.ToUpper(cur), "FROM ") {
			stages = append(stages, nil)
		}
		if len(stages) == 0 {
			t.Fatalf("Dockerfile: %q before the first FROM", cur)
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], strings.Join(strings.Fields(cur), " "))
		cur = ""
	}
	return stages
}

func instr(stage []string, keyword string) []string {
	var out []string
	for _, in := range stage {
		if k, rest, _ := strings.Cut(in, " "); strings.EqualFold(k, keyword) {
			out = append(out, rest)
		}
	}
	return out
}

func TestDockerfileBuildsWithCgoAndRunsAsNonRootWithAHealthCheck(t *testing.T) {
	stages := dockerfile(t)
	if len(stages) < 2 {
		t.Fatalf("%d stages, want a build stage and a runtime stage", len(stages))
	}
	build, final := stages[0], stages[len(stages)-1]

	// Build: a Debian golang image of go.mod's Go, cgo on, ./cmd/smsbridge.
	from := strings.Fields(instr(build, "FROM")[0])[0]
	gomod, err := os.ReadFile(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goVer := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(gomod)
	m := regexp.MustCompile(`^golang:(\d+\.\d+)[.\d]*-(bookworm|trixie)$`).FindStringSubmatch(from)
	if m == nil || goVer == nil || m[1] != string(goVer[1]) {
		t.Fatalf("build stage FROM %q: want golang:<go.mod's %s>-<bookworm|trixie>", from, goVer[1])
	}
	release := m[2]
	all := strings.Join(build, "\n")
	if !strings.Contains(all, "CGO_ENABLED=1") {
		t.Error("build stage does not set CGO_ENABLED=1 (SQLite is cgo)")
	}
	if !regexp.MustCompile(`(?m)^RUN .*go build .*\./cmd/smsbridge\b`).MatchString(all) {
		t.Error("build stage does not go build ./cmd/smsbridge")
	}

	// Runtime: the same Debian release (glibc), non-root, /healthz checked.
	rfrom := strings.Fields(instr(final, "FROM")[0])[0]
	if !strings.HasPrefix(rfrom, "debian:"+release+"-slim") {
		t.Errorf("runtime FROM %q: want debian:%s-slim (the build stage's release)", rfrom, release)
	}
	users := instr(final, "USER")
	if len(users) == 0 {
		t.Fatal("runtime stage has no USER: it would run as root")
	}
	user := strings.Split(users[len(users)-1], ":")[0]
	if user == "root" || user == "0" || user == "" {
		t.Errorf("runtime USER %q is root", users[len(users)-1])
	}
	hc := instr(final, "HEALTHCHECK")
	if len(hc) != 1 || !strings.Contains(hc[0], "http://127.0.0.1:8080/healthz") {
		t.Fatalf("runtime HEALTHCHECK %q: want one checking http://127.0.0.1:8080/healthz", hc)
	}
	if strings.Contains(hc[0], "curl") && !regexp.MustCompile(`apt-get install [^&]*\bcurl\b`).MatchString(strings.Join(instr(final, "RUN"), "\n")) {
		t.Error("the HEALTHCHECK runs curl but the runtime stage does not install it")
	}
	if !regexp.MustCompile(`apt-get install [^&]*\bca-certificates\b`).MatchString(strings.Join(instr(final, "RUN"), "\n")) {
		t.Error("runtime stage does not install ca-certificates: HTTPS to Slack and Telnyx would fail")
	}
	if e := instr(final, "EXPOSE"); len(e) != 1 || e[0] != "8080" {
		t.Errorf("EXPOSE %q, want 8080", e)
	}
	env := strings.Join(instr(final, "ENV"), " ")
	if !strings.Contains(env, "LISTEN_ADDR=:8080") || !strings.Contains(env, "DATABASE_URL=/data/") {
		t.Errorf("runtime ENV %q: want LISTEN_ADDR=:8080 and DATABASE_URL under /data", env)
	}
	if v := instr(final, "VOLUME"); len(v) != 1 || v[0] != "/data" {
		t.Errorf("VOLUME %q, want /data (SQLite's file)", v)
	}
	if ep := instr(final, "ENTRYPOINT"); len(ep) != 1 || !strings.Contains(ep[0], "smsbridge") {
		t.Errorf("ENTRYPOINT %q", ep)
	}
}

// The env file holds the secrets: it is neither committed nor sent to the
// Docker daemon with the build context.
func TestSecretsFileStaysOutOfGitAndTheImage(t *testing.T) {
	for _, name := range []string{".gitignore", ".dockerignore"} {
		b, err := os.ReadFile(filepath.Join(repoRoot, name))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		has := func(p string) bool {
			for _, l := range lines {
				if strings.TrimSpace(l) == p {
					return true
				}
			}
			return false
		}
		if !has("smsbridge.env") {
			t.Errorf("%s does not list smsbridge.env", name)
		}
		if name == ".dockerignore" && !has(".git") {
			t.Errorf(".dockerignore does not list .git")
		}
	}
}
