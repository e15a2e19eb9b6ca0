package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/automl-agent/automl/server"
)

// findChromium returns the path of a Chromium binary: $CHROMIUM, then
// /usr/bin/chromium, /usr/bin/chromium-browser, then "chromium" on PATH.
// Without one the test is skipped, except under CI=true, where a missing
// browser fails it (.ci/run installs Debian's chromium).
func findChromium(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"}
	if p, err := exec.LookPath("chromium"); err == nil {
		candidates = append(candidates, p)
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if fi, err := os.Stat(c); err == nil && !fi.IsDir() {
			return c
		}
	}
	msg := "no Chromium found ($CHROMIUM, /usr/bin/chromium, /usr/bin/chromium-browser): " +
		"install it with `apt-get install -y chromium` to run the dashboard's browser test"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// screenshotDir is $SCREENSHOT_DIR (created if needed) or a temporary
// directory removed after the test.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SCREENSHOT_DIR")
	if dir == "" {
		return t.TempDir()
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

// writeChurnCSV writes a synthetic customer-churn table of n rows with an
// identifier column, integer, numeric and categorical features, missing
// values in one column and a yes/no target, so that the profile shows
// kinds, missing values and a warning.
func writeChurnCSV(t *testing.T, n int) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(11, 7))
	contracts := []string{"month-to-month", "one-year", "two-year"}
	regions := []string{"north", "south", "east", "west"}
	var b strings.Builder
	b.WriteString("customer_id,tenure_months,monthly_charges,contract,region,support_calls,churned\n")
	for i := range n {
		tenure := 1 + rng.IntN(72)
		charges := 20 + rng.Float64()*100
		contract := rng.IntN(3)
		region := regions[rng.IntN(4)]
		if rng.Float64() < 0.08 {
			region = ""
		}
		calls := rng.IntN(9)
		z := -0.5 + 1.6*float64(2-contract)/2 - 0.045*float64(tenure) + 0.018*(charges-70) + 0.35*float64(calls-4)
		churned := "no"
		if rng.Float64() < 1/(1+math.Exp(-z)) {
			churned = "yes"
		}
		fmt.Fprintf(&b, "C%05d,%d,%.2f,%s,%s,%d,%s\n", 10000+i, tenure, charges, contracts[contract], region, calls, churned)
	}
	path := filepath.Join(t.TempDir(), "customer_churn.csv")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	return path
}

const browserToken = "s3cret-browser-token"

// newServiceHandler starts the real service on dataDir, with a token, and
// closes it when the test ends.
func newServiceHandler(t *testing.T, dataDir string) http.Handler {
	t.Helper()
	s, err := server.New(server.Options{DataDir: dataDir, Token: browserToken})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, s.Close()) })
	return s.Handler()
}

// getJSON decodes the JSON body of GET url, sent with the test's token.
func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+browserToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, url)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(v), url)
}

// emulateMedia sets CSS media features, given as name, value pairs
// ("prefers-color-scheme", "dark").
func emulateMedia(nameValues ...string) chromedp.Action[chromedp.Void] {
	var features []*emulation.MediaFeature
	for i := 0; i+1 < len(nameValues); i += 2 {
		features = append(features, &emulation.MediaFeature{Name: nameValues[i], Value: nameValues[i+1]})
	}
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: features})
		return err
	})
}

// TestDashboardInBrowser drives the dashboard in headless Chromium against
// the real service mounted under /ml/ of another mux: it uploads a CSV,
// checks the profile, runs a 5 s search, follows its progress, waits for
// the leaderboard and importances, predicts one row through the generated
// form (submitted with Enter), checks the history and the download link
// (which carries the token as access_token, as EventSource does),
// and saves screenshots at laptop (1366x800) and phone (390x844) sizes.
// Every request the page makes must stay under /ml/ (relative URLs), and
// the page must log no error and throw no exception.
func TestDashboardInBrowser(t *testing.T) {
	exe := findChromium(t)
	shots := screenshotDir(t)
	csvPath := writeChurnCSV(t, 600)

	var (
		mu      sync.Mutex
		outside []string
	)
	mux := http.NewServeMux()
	mux.Handle("/ml/", http.StripPrefix("/ml", newServiceHandler(t, t.TempDir())))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		outside = append(outside, r.URL.Path)
		mu.Unlock()
		http.NotFound(w, r)
	})
	ts := httptest.NewServer(mux)
	defer ts.Close()
	base := ts.URL + "/ml/"

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	require.NoError(t, chromedp.Do(bctx), "start chromium")

	// Collect what the page logs and requests, from the start.
	var (
		problems []string
		requests []string
		wg       sync.WaitGroup
	)
	console := chromedp.Console(bctx)
	sent := chromedp.Events(bctx, network.RequestWillBeSent)
	wg.Go(func() {
		for m, err := range console {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleException || m.Type == chromedp.ConsoleError {
				mu.Lock()
				problems = append(problems, fmt.Sprintf("%s %s:%d %s", m.Type, m.URL, m.Line+1, m.Text))
				mu.Unlock()
			}
		}
	})
	wg.Go(func() {
		for ev, err := range sent {
			if err != nil {
				return
			}
			mu.Lock()
			requests = append(requests, ev.Request.URL)
			mu.Unlock()
		}
	})
	defer wg.Wait()
	defer cancelBrowser()

	ctx, cancel := context.WithTimeout(bctx, 60*time.Second)
	defer cancel()
	start := time.Now()

	step := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		require.NoError(t, chromedp.Do(ctx, actions...), name)
	}
	eval := func(expr string) any {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[any](expr))
		require.NoError(t, err, expr)
		return v
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		require.NoError(t, err, sel)
		return strings.TrimSpace(s)
	}
	shoot := func(name string, full bool) {
		t.Helper()
		act := chromedp.CaptureScreenshot()
		if full {
			// The sticky top bar would be drawn mid-page in a full-page shot.
			step("unstick the top bar", chromedp.Evaluate[chromedp.Void](`document.querySelector(".topbar").style.position = "static"`))
			defer step("restick the top bar", chromedp.Evaluate[chromedp.Void](`document.querySelector(".topbar").style.position = ""`))
			act = chromedp.FullScreenshot(100) // 100: PNG
		}
		png, err := chromedp.Run(ctx, act)
		require.NoError(t, err, name)
		require.NoError(t, os.WriteFile(filepath.Join(shots, name), png, 0o644))
	}

	// Landing page.
	// Reduced motion: no transitions or smooth scrolling, so screenshots
	// show settled pages.
	step("open the dashboard",
		chromedp.EmulateViewport(1366, 800),
		emulateMedia("prefers-reduced-motion", "reduce"),
		chromedp.Navigate(base),
		chromedp.WaitVisible(chromedp.ID("upload-form")),
	)
	assert.Contains(t, text("h1"), "trained model")

	// The service wants a token: the page asks for it, and it is typed in
	// and saved with Enter. Errors logged before that (the 401s) are
	// expected.
	step("enter the token",
		chromedp.WaitVisible(chromedp.ID("token-input")),
		chromedp.SendKeys(chromedp.ID("token-input"), browserToken+"\r"),
		chromedp.WaitNotVisible(chromedp.ID("token-panel")),
		chromedp.Poll[chromedp.Void](`document.getElementById("health").textContent.startsWith("Service ready")`),
	)
	shoot("laptop-landing.png", false)

	// The file input is reachable with the keyboard.
	tabs := 0
	for ; tabs < 15; tabs++ {
		if eval(`document.activeElement && document.activeElement.id`) == "file-input" {
			break
		}
		step("tab", chromedp.KeyEvent("\t"))
	}
	assert.Less(t, tabs, 15, "Tab never reached the file input")

	// A file dropped on the drop zone is uploaded; one the service cannot
	// read gets its error shown in the page.
	step("drop a file that is not a table",
		chromedp.Evaluate[chromedp.Void](`(() => {
			const dt = new DataTransfer();
			dt.items.add(new File(["\x00\x01 not a table"], "notes.xyz"));
			document.getElementById("upload-form").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
		})()`),
		chromedp.Poll[chromedp.Void](`document.getElementById("upload-status").classList.contains("error")`),
	)
	assert.Contains(t, text("#upload-status"), "Upload failed")
	mu.Lock()
	problems = nil
	mu.Unlock()

	// Upload through the keyboard-accessible file input; the profile appears.
	step("upload a CSV",
		chromedp.SetUploadFiles(chromedp.ID("file-input"), []string{csvPath}),
		chromedp.WaitVisible(chromedp.ID("columns-table")),
	)
	assert.EqualValues(t, 7, eval(`document.querySelectorAll("#columns-table tbody tr").length`), "one row per column")
	target, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("target")))
	require.NoError(t, err)
	assert.Equal(t, "churned", target, "the suggested target is preselected")
	assert.Contains(t, text("#profile-warnings"), "customer_id", "the identifier column is flagged")
	assert.Contains(t, text("#columns-table"), "categorical")

	// A 5 s run, started with the keyboard-reachable button.
	step("start a run",
		chromedp.SetValue(chromedp.ID("budget"), "5s"),
		chromedp.Click(chromedp.ID("run-button")),
		chromedp.WaitVisible(chromedp.ID("progress")),
	)
	step("wait for the model", chromedp.WaitVisible(chromedp.ID("predict-button")))
	assert.Equal(t, "done", strings.ToLower(text("#job-badge")))
	title, err := chromedp.Run(ctx, chromedp.Title())
	require.NoError(t, err)
	assert.Contains(t, title, "Run done", "the tab title follows the run")
	assert.NotEqual(t, "0", text("#stat-trials"), "the progress counted trials")
	assert.NotEqual(t, "–", text("#stat-best"), "the progress shows a best score")
	assert.EqualValues(t, true, eval(`document.querySelectorAll("#best-chart circle").length > 0`), "the chart has points")
	assert.EqualValues(t, true, eval(`document.querySelectorAll("#leaderboard tbody tr").length >= 2`), "the leaderboard has trials")
	// One bar per column the model reports an importance for (a run that
	// ran out of time may report none; then the page says so).
	var detail server.ModelDetail
	getJSON(t, base+"models/"+fmt.Sprint(eval(`new URLSearchParams(location.search).get("model")`)), &detail)
	if n := min(len(detail.Importance), 15); n > 0 {
		assert.EqualValues(t, n, eval(`document.querySelectorAll("#importance .hbar").length`), "importance bars")
		assert.Equal(t, detail.Importance[0].Column, text("#importance .hbar-name"), "most important first")
	} else {
		assert.Contains(t, text("#importance"), "No importances")
	}
	assert.EqualValues(t, true, eval(`document.querySelectorAll("#predict-fields input, #predict-fields select").length >= 5`), "one field per input column")

	// Predict one row: the form is pre-filled with typical values, and
	// Enter in a field submits it.
	step("predict with Enter",
		chromedp.SendKeys(chromedp.ID("in-1"), "\r"),
		chromedp.WaitVisible(chromedp.CSS("#prediction .value")),
	)
	assert.Contains(t, []string{"yes", "no"}, text("#prediction .value"))
	assert.Contains(t, text("#prediction"), "%", "class probabilities are shown")

	// History lists the run and the model, whose download link works.
	step("history", chromedp.WaitVisible(chromedp.CSS("#models-list a[download]")))
	assert.Contains(t, strings.ToLower(text("#jobs-list")), "done")
	assert.Contains(t, text("#datasets-list"), "customer_churn.csv")
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#models-list a[download]").href`))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(href, base+"models/"), "download link %q is relative to the mount point", href)
	assert.Contains(t, href, "access_token=", "a link cannot send the Authorization header")
	resp, err := http.Get(href)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.NotEmpty(t, body, "the model file")

	step("scroll to the results", chromedp.ScrollIntoView(chromedp.ID("results")))
	shoot("laptop-results.png", false)
	shoot("laptop-full.png", true)

	// Phone size: the same page must fit the width without sideways scroll.
	step("phone viewport",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Evaluate[chromedp.Void](`window.scrollTo({top: 0, behavior: "instant"})`),
		chromedp.Sleep(200*time.Millisecond),
	)
	assert.EqualValues(t, true, eval(`document.documentElement.scrollWidth <= document.documentElement.clientWidth && document.documentElement.clientWidth <= 400`), "no horizontal overflow on a phone")
	shoot("phone-top.png", false)
	step("scroll to the progress", chromedp.ScrollIntoView(chromedp.ID("progress")))
	shoot("phone-progress.png", false)
	step("scroll to the results", chromedp.ScrollIntoView(chromedp.ID("results")))
	shoot("phone-results.png", false)
	step("scroll to the predict form", chromedp.ScrollIntoView(chromedp.ID("predict")))
	shoot("phone-predict.png", false)
	shoot("phone-full.png", true)

	// Dark colour scheme, at laptop size.
	step("dark scheme",
		chromedp.EmulateViewport(1366, 800),
		emulateMedia("prefers-reduced-motion", "reduce", "prefers-color-scheme", "dark"),
		chromedp.ScrollIntoView(chromedp.ID("progress")),
		chromedp.Sleep(200*time.Millisecond),
	)
	shoot("laptop-dark.png", false)

	// A past dataset reopens from the history, without the old results.
	step("reopen the dataset",
		chromedp.Click(chromedp.CSS("#datasets-list button")),
		chromedp.WaitNotVisible(chromedp.ID("results")),
		chromedp.WaitVisible(chromedp.ID("columns-table")),
	)

	// A long run can be cancelled from the page.
	step("start a long run and cancel it",
		chromedp.SetValue(chromedp.ID("budget"), "5m"),
		chromedp.Click(chromedp.ID("run-button")),
		chromedp.Poll[chromedp.Void](`document.getElementById("job-badge").textContent === "running"`),
		chromedp.Click(chromedp.ID("cancel-button")),
		chromedp.Poll[chromedp.Void](`document.getElementById("job-badge").textContent === "cancelled"`),
	)
	t.Logf("browser flow took %s; screenshots in %s", time.Since(start).Round(time.Millisecond), shots)

	cancel()
	cancelBrowser()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, problems, "console errors or exceptions")
	assert.Empty(t, outside, "requests outside the /ml/ mount point")
	for _, u := range requests {
		if strings.HasPrefix(u, "data:") || strings.HasPrefix(u, "blob:") {
			continue
		}
		assert.True(t, strings.HasPrefix(u, base), "request %q outside %s", u, base)
	}
	assert.True(t, slices.ContainsFunc(requests, func(u string) bool { return strings.HasPrefix(u, base+"pipeline/events/") }),
		"progress came over server-sent events")
}
