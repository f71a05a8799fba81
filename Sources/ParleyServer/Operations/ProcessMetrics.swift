import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The standard `process_*` Prometheus metrics, read from /proc at scrape time.
enum ProcessMetrics {
    static func render() -> String {
        var lines: [String] = []
        func gauge(_ name: String, _ help: String, _ value: Double, type: String = "gauge") {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
            lines.append("\(name) \(value)")
        }
        #if os(Linux)
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")") {
            // Fields after the command name, which may itself contain spaces.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
            let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
            if fields.count > 22, ticks > 0 {
                let cpu = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
                gauge("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", cpu / ticks, type: "counter")
                gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", Double(fields[20]) ?? 0)
                gauge("process_resident_memory_bytes", "Resident memory size in bytes.", (Double(fields[21]) ?? 0) * pageSize)
                if let boot = bootTime() {
                    gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
                          boot + (Double(fields[19]) ?? 0) / ticks)
                }
            }
        }
        if let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            gauge("process_open_fds", "Number of open file descriptors.", Double(fds.count))
        }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            gauge("process_max_fds", "Maximum number of open file descriptors.", Double(limit.rlim_cur))
        }
        #endif
        return lines.joined(separator: "\n") + "\n"
    }

    private static func bootTime() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8) else { return nil }
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }
}
