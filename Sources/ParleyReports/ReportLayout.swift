import Foundation
import ParleyDomain

/// Where everything of a session report goes on the pages, and the drawing of it.
struct Layout {
    let report: SessionReport
    let page: Page

    private var margin: Double { SessionReportPDF.margin }
    private var contentWidth: Double { SessionReportPDF.pageWidth - 2 * margin }
    private let ink = (0.13, 0.16, 0.22)
    private let muted = (0.42, 0.45, 0.52)
    private let accent = (0.16, 0.47, 0.80)
    private let rule = (0.85, 0.87, 0.90)

    /// Table columns: title, offset from the margin (of the left edge, or the right one for
    /// right-aligned numbers), width, alignment.
    private var columns: [(String, Double, Double, Page.Anchor)] {
        [("Date", 0, 80, .left), ("Title", 86, 196, .left), ("Type", 288, 72, .left),
         ("Status", 366, 62, .left), ("Duration", 466, 40, .right), ("Score", contentWidth, 28, .right)]
    }

    func draw() {
        var y = header()
        y = summary(top: y)
        guard !report.rows.isEmpty else {
            page.font(14, .bold)
            use(ink)
            page.text("There are no sessions in this period.", x: margin, y: y + 40)
            page.font(10)
            use(muted)
            page.text("Sessions recorded between \(ReportFormat.day(report.period.start)) and "
                      + "\(ReportFormat.day(report.period.end)) will be listed here.", x: margin, y: y + 60)
            footer(pageNumber: 1, of: 1)
            page.newPage()
            return
        }
        y = lineChart(top: y + 10)
        y = barChart(top: y + 10)
        let pages = SessionReportPDF.pagination(rowCount: report.rows.count, firstPageTop: y + 10)
        for (index, rows) in pages.enumerated() {
            let top = index == 0 ? y + 10 : margin
            table(rows: rows, top: top, continued: index > 0)
            footer(pageNumber: index + 1, of: pages.count)
            page.newPage()
        }
    }

    private func use(_ color: (Double, Double, Double)) { page.color(color.0, color.1, color.2) }

    // MARK: Header and summary

    private func header() -> Double {
        use(ink)
        page.font(20, .bold)
        page.text(page.fitted(report.title, maxWidth: contentWidth), x: margin, y: margin + 18)
        page.font(10)
        use(muted)
        let period = "\(ReportFormat.day(report.period.start)) to \(ReportFormat.day(report.period.end))"
        page.text(page.fitted("\(report.ownerName) · \(period)", maxWidth: contentWidth), x: margin, y: margin + 36)
        use(rule)
        page.line(margin, margin + 46, margin + contentWidth, margin + 46)
        return margin + 56
    }

    private func summary(top: Double) -> Double {
        let figures: [(String, String)] = [
            ("Sessions", String(report.summary.totalSessions)),
            ("Total time", ReportFormat.clock(report.summary.totalDuration)),
            ("Average score", report.summary.averageScore.map(ReportFormat.number) ?? "–"),
            ("Improvement", report.summary.improvement.map { ($0 > 0 ? "+" : "") + ReportFormat.number($0) } ?? "–"),
        ]
        let gap = 10.0
        let width = (contentWidth - gap * Double(figures.count - 1)) / Double(figures.count)
        for (index, figure) in figures.enumerated() {
            let x = margin + Double(index) * (width + gap)
            page.color(0.95, 0.96, 0.98)
            page.fill(x, top, width, 54)
            use(muted)
            page.font(9)
            page.text(figure.0, x: x + 10, y: top + 18)
            use(ink)
            page.font(18, .bold)
            page.text(figure.1, x: x + 10, y: top + 42)
        }
        return top + 54
    }

    // MARK: Charts

    private static let chartHeight = 190.0

    /// The frame, title, y axis with gridlines, and x labels shared by both charts; returns the plot area.
    private func chartFrame(
        top: Double, title: String, unit: String, maxValue: Double, ticks: Int, labels: [String]
    ) -> (x: Double, y: Double, width: Double, height: Double) {
        use(ink)
        page.font(11, .bold)
        page.text(title, x: margin, y: top + 12)
        let plot = (x: margin + 38, y: top + 30, width: contentWidth - 46, height: Self.chartHeight - 62)
        page.font(8)
        for tick in 0...ticks {
            let value = maxValue * Double(tick) / Double(ticks)
            let y = plot.y + plot.height - plot.height * Double(tick) / Double(ticks)
            use(rule)
            page.line(plot.x, y, plot.x + plot.width, y, width: 0.4)
            use(muted)
            page.text(ReportFormat.number(value), x: plot.x - 5, y: y + 3, anchor: .right)
        }
        use(muted)
        page.text(unit, x: plot.x - 5, y: plot.y - 8, anchor: .right)
        use(ink)
        page.line(plot.x, plot.y, plot.x, plot.y + plot.height, width: 0.8)
        page.line(plot.x, plot.y + plot.height, plot.x + plot.width, plot.y + plot.height, width: 0.8)
        if labels.isEmpty {
            use(muted)
            page.font(10)
            page.text("No data in this period", x: plot.x + plot.width / 2, y: plot.y + plot.height / 2, anchor: .center)
        } else {
            // At most seven date labels, evenly spread, so they never overlap.
            let step = max(1, Int((Double(labels.count) / 7).rounded(.up)))
            use(muted)
            page.font(8)
            for index in stride(from: 0, to: labels.count, by: step) {
                page.text(String(labels[index].dropFirst(5)), x: slotCenter(index, count: labels.count, plot: plot),
                          y: plot.y + plot.height + 13, anchor: .center)
            }
            page.text("day (\(labels.first!.prefix(4)))", x: plot.x + plot.width, y: plot.y + plot.height + 26, anchor: .right)
        }
        return plot
    }

    private func slotCenter(_ index: Int, count: Int, plot: (x: Double, y: Double, width: Double, height: Double)) -> Double {
        plot.x + plot.width * (Double(index) + 0.5) / Double(count)
    }

    private func lineChart(top: Double) -> Double {
        let points = report.trends.scores
        let plot = chartFrame(top: top, title: "Average score by day", unit: "score", maxValue: 100, ticks: 5,
                              labels: points.map(\.date))
        let coordinates = points.enumerated().map { index, point in
            (slotCenter(index, count: points.count, plot: plot),
             plot.y + plot.height * (1 - min(100, max(0, point.averageScore)) / 100))
        }
        use(accent)
        page.polyline(coordinates, width: 1.6)
        if points.count <= 62 {
            for point in coordinates { page.dot(point.0, point.1, radius: 2.4) }
        }
        return top + Self.chartHeight
    }

    private func barChart(top: Double) -> Double {
        let points = report.trends.duration
        let minutes = points.map { $0.averageDuration / 60 }
        let ceiling = Self.niceCeiling(minutes.max() ?? 0)
        let plot = chartFrame(top: top, title: "Average session length by day", unit: "minutes", maxValue: ceiling,
                              ticks: 4, labels: points.map(\.date))
        let slot = plot.width / Double(max(1, points.count))
        page.color(0.36, 0.67, 0.55)
        for (index, value) in minutes.enumerated() {
            let height = plot.height * min(1, value / ceiling)
            page.fill(plot.x + slot * Double(index) + slot * 0.15, plot.y + plot.height - height, slot * 0.7, height)
        }
        return top + Self.chartHeight
    }

    /// The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above `value` (at least 1), for round axis ticks.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 1 else { return 1 }
        let magnitude = pow(10, floor(log10(value)))
        for factor in [1, 2, 2.5, 5, 10] where factor * magnitude >= value { return factor * magnitude }
        return 10 * magnitude
    }

    // MARK: Table

    private func table(rows: Range<Int>, top: Double, continued: Bool) {
        use(ink)
        page.font(11, .bold)
        page.text(continued ? "Sessions (continued)" : "Sessions", x: margin, y: top + 12)
        var y = top + 22 + SessionReportPDF.rowHeight
        page.font(8, .bold)
        use(muted)
        for column in columns { page.text(column.0, x: cellX(column), y: y - 4, anchor: column.3) }
        use(rule)
        page.line(margin, y, margin + contentWidth, y)
        y += 4
        page.font(8)
        for index in rows {
            let row = report.rows[index]
            let cells = [
                String(ReportFormat.timestamp(row.date).replacingOccurrences(of: "T", with: " ").prefix(16)),
                row.title, row.type, row.status, ReportFormat.clock(row.duration),
                row.score.map(ReportFormat.number) ?? "–",
            ]
            if index % 2 == 1 {
                page.color(0.97, 0.97, 0.98)
                page.fill(margin, y, contentWidth, SessionReportPDF.rowHeight)
            }
            use(ink)
            for (column, cell) in zip(columns, cells) {
                page.text(page.fitted(cell, maxWidth: column.2), x: cellX(column), y: y + 10.5, anchor: column.3)
            }
            y += SessionReportPDF.rowHeight
        }
    }

    private func cellX(_ column: (String, Double, Double, Page.Anchor)) -> Double { margin + column.1 }

    private func footer(pageNumber: Int, of pageCount: Int) {
        let y = SessionReportPDF.pageHeight - margin + 6
        use(rule)
        page.line(margin, y - 14, margin + contentWidth, y - 14)
        use(muted)
        page.font(8)
        page.text(page.fitted(report.title, maxWidth: contentWidth - 120), x: margin, y: y)
        page.text("Page \(pageNumber) of \(pageCount)", x: margin + contentWidth, y: y, anchor: .right)
    }
}
