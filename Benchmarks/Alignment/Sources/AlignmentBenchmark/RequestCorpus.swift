/// Deterministic, realistic HTTP GET requests (about 200 bytes): varied paths, query strings,
/// user agents, hosts, header sets and cookies, as scanners, crawlers and browsers send them.
struct RequestCorpus {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// SplitMix64.
    private mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    private mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
    private mutating func chance(_ percent: Int) -> Bool { below(100) < percent }

    private mutating func hex(_ count: Int) -> String {
        String((0..<count).map { _ in Array("0123456789abcdef")[below(16)] })
    }

    private static let words = [
        "index", "about", "contact", "news", "products", "login", "admin", "images", "static",
        "blog", "search", "cart", "account", "help", "docs", "api", "v1", "v2", "users", "files",
        "download", "media", "assets", "css", "js", "config", "backup", "test", "old", "shop",
    ]
    private static let extensions = [".html", ".php", ".asp", ".jsp", ".png", ".js", ".css", "", "/", ".txt"]
    private static let fixedPaths = [
        "/", "/robots.txt", "/favicon.ico", "/wp-login.php", "/phpmyadmin/index.php",
        "/cgi-bin/test-cgi", "/.env", "/server-status", "/scripts/..%255c../winnt/system32/cmd.exe?/c+dir",
        "/HNAP1/", "/manager/html", "/.git/config",
    ]
    private static let agents = [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/118.0",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15",
        "curl/7.88.1", "Wget/1.21.3", "python-requests/2.31.0", "Go-http-client/1.1",
        "Mozilla/5.0 zgrab/0.x", "masscan/1.3 (https://github.com/robertdavidgraham/masscan)",
        "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)",
        "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)",
    ]
    private static let accepts = [
        "*/*", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "image/avif,image/webp,*/*", "application/json",
    ]

    mutating func request() -> [UInt8] {
        var path: String
        switch below(10) {
        case 0, 1: path = pick(Self.fixedPaths)
        case 2, 3:
            path = "/" + pick(Self.words) + "/" + pick(Self.words) + "?id=" + String(below(100_000))
        default:
            path = ""
            for _ in 0..<(1 + below(3)) { path += "/" + pick(Self.words) }
            path += pick(Self.extensions)
        }
        var lines = ["GET \(path) HTTP/1.\(chance(80) ? 1 : 0)"]
        lines.append("Host: " + (chance(50) ? "192.0.2.\(below(255))" : "www.example\(below(20)).com"))
        lines.append("User-Agent: " + pick(Self.agents))
        if chance(80) { lines.append("Accept: " + pick(Self.accepts)) }
        if chance(50) { lines.append("Accept-Encoding: gzip, deflate") }
        if chance(30) { lines.append("Accept-Language: en-US,en;q=0.5") }
        if chance(25) { lines.append("Cookie: session=" + hex(16 + below(17))) }
        lines.append("Connection: " + (chance(60) ? "close" : "keep-alive"))
        return Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8)
    }

    mutating func requests(_ count: Int) -> [[UInt8]] {
        (0..<count).map { _ in request() }
    }
}
