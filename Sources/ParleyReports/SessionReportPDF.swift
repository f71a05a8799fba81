import CCairo
import Foundation
import ParleyDomain

/// Why a report could not be rendered.
public enum ReportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// cairo failed (out of memory, no usable font); answer 500.
    case renderFailed(String)

    /// A sentence for the log and the user.
    public var description: String {
        switch self {
        case .renderFailed(let message): "The report could not be drawn: \(message)"
        }
    }
}

/// A session report as an A4 PDF drawn with cairo: title and period, the summary figures, a line
/// chart of the daily average score, a bar chart of the daily average length, and the sessions as
/// a table continued over as many pages as it needs (its header repeated on each).
///
/// The same report gives the same bytes: the creation date written into the file is the end of
/// the period, not the clock.
public enum SessionReportPDF {
    /// A4 in PostScript points.
    static let pageWidth = 595.28
    static let pageHeight = 841.89
    static let margin = 48.0
    static let rowHeight = 15.0
    static let footerHeight = 28.0

    /// The PDF bytes.
    public static func render(_ report: SessionReport) throws(ReportError) -> Data {
        let sink = Sink()
        let surface = cairo_pdf_surface_create_for_stream(
            { closure, bytes, length in
                guard let closure, let bytes else { return CAIRO_STATUS_WRITE_ERROR }
                Unmanaged<Sink>.fromOpaque(closure).takeUnretainedValue().data.append(bytes, count: Int(length))
                return CAIRO_STATUS_SUCCESS
            },
            Unmanaged.passUnretained(sink).toOpaque(), pageWidth, pageHeight)
        guard let surface, cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
            throw .renderFailed("cairo could not create a PDF surface")
        }
        cairo_pdf_surface_restrict_to_version(surface, CAIRO_PDF_VERSION_1_5)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, report.title)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_AUTHOR, report.ownerName)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Parley")
        let stamp = report.period.end.ISO8601Format()
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, stamp)
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, stamp)
        guard let context = cairo_create(surface) else {
            cairo_surface_destroy(surface)
            throw .renderFailed("cairo could not create a drawing context")
        }
        let page = Page(context: context)
        Layout(report: report, page: page).draw()
        let status = cairo_status(context)
        cairo_destroy(context)
        cairo_surface_finish(surface)
        let surfaceStatus = cairo_surface_status(surface)
        cairo_surface_destroy(surface)
        for failure in [status, surfaceStatus] where failure != CAIRO_STATUS_SUCCESS {
            throw .renderFailed(String(cString: cairo_status_to_string(failure)))
        }
        withExtendedLifetime(sink) {}
        return sink.data
    }

    /// Renders into `url`, atomically: the file appears whole or not at all.
    public static func write(_ report: SessionReport, to url: URL) throws -> Data {
        let data = try render(report)
        try data.write(to: url, options: .atomic)
        return data
    }

    /// Collects what cairo writes.
    private final class Sink {
        var data = Data()
    }

    /// Rows of the table on each page: the first page holds what fits under the charts.
    static func pagination(rowCount: Int, firstPageTop: Double) -> [Range<Int>] {
        let bottom = pageHeight - margin - footerHeight
        // A heading and the column header precede the rows on every page.
        let tableHeader = 22.0 + rowHeight + 4
        let first = max(0, Int((bottom - firstPageTop - tableHeader) / rowHeight))
        let later = Int((bottom - margin - tableHeader) / rowHeight)
        var pages = [0..<min(first, rowCount)]
        var next = pages[0].upperBound
        while next < rowCount {
            pages.append(next..<min(next + later, rowCount))
            next = pages.last!.upperBound
        }
        return pages
    }
}

/// Drawing primitives over one cairo context, in points from the top left of the page.
struct Page {
    let context: OpaquePointer

    enum Weight { case regular, bold }

    func font(_ size: Double, _ weight: Weight = .regular) {
        cairo_select_font_face(context, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                               weight == .bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(context, size)
    }

    func color(_ red: Double, _ green: Double, _ blue: Double) {
        cairo_set_source_rgb(context, red, green, blue)
    }

    func width(of text: String) -> Double {
        var extents = cairo_text_extents_t()
        cairo_text_extents(context, text, &extents)
        return extents.x_advance
    }

    enum Anchor { case left, center, right }

    /// Draws one line of text with its baseline at `y`.
    func text(_ text: String, x: Double, y: Double, anchor: Anchor = .left) {
        let shift: Double = switch anchor {
        case .left: 0
        case .center: width(of: text) / 2
        case .right: width(of: text)
        }
        cairo_move_to(context, x - shift, y)
        cairo_show_text(context, text)
    }

    /// `text` on one line, cut with an ellipsis to fit `maxWidth`.
    func fitted(_ text: String, maxWidth: Double) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        guard width(of: flat) > maxWidth else { return flat }
        var characters = Array(flat)
        while !characters.isEmpty && width(of: String(characters) + "…") > maxWidth { characters.removeLast() }
        return String(characters).trimmingCharacters(in: .whitespaces) + "…"
    }

    func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, width: Double = 0.6) {
        cairo_set_line_width(context, width)
        cairo_move_to(context, x0, y0)
        cairo_line_to(context, x1, y1)
        cairo_stroke(context)
    }

    func fill(_ x: Double, _ y: Double, _ width: Double, _ height: Double) {
        cairo_rectangle(context, x, y, width, height)
        cairo_fill(context)
    }

    func stroke(_ x: Double, _ y: Double, _ width: Double, _ height: Double) {
        cairo_set_line_width(context, 0.6)
        cairo_rectangle(context, x, y, width, height)
        cairo_stroke(context)
    }

    func dot(_ x: Double, _ y: Double, radius: Double) {
        cairo_arc(context, x, y, radius, 0, 2 * .pi)
        cairo_fill(context)
    }

    func polyline(_ points: [(Double, Double)], width: Double) {
        guard let first = points.first else { return }
        cairo_set_line_width(context, width)
        cairo_set_line_join(context, CAIRO_LINE_JOIN_ROUND)
        cairo_move_to(context, first.0, first.1)
        for point in points.dropFirst() { cairo_line_to(context, point.0, point.1) }
        cairo_stroke(context)
    }

    func newPage() { cairo_show_page(context) }
}
