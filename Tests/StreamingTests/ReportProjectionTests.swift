import Foundation
import Model
import Report
import Streaming
import Testing

@Suite("Report projection")
struct ReportProjectionTests {
    /// Points `t * u + small noise` in 6-D, `u` a known unit direction.
    static func pointsOnLine(_ u: [Float], count: Int) -> [Float] {
        var rows: [Float] = []
        for i in 0..<count {
            let t = Float(i - count / 2) * 0.1
            for d in u.indices { rows.append(3 + t * u[d] + 0.001 * Float(sin(Double(i * 13 + d * 5)))) }
        }
        return rows
    }

    @Test func firstComponentRecoversTheLine() throws {
        let raw: [Float] = [1, -2, 0.5, 3, 0, 1.5]
        let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let u = raw.map { $0 / norm }
        let pca = try PrincipalComponents(rows: Self.pointsOnLine(u, count: 400), rowCount: 400, dim: 6, count: 2)
        let dot = zip(pca.components[0], u).reduce(Float(0)) { $0 + $1.0 * $1.1 }
        #expect(abs(abs(dot) - 1) < 1e-3, "PC1 · u = \(dot)")
        #expect(pca.variances[0] / pca.totalVariance > 0.999)
        #expect(pca.variances[1] < pca.variances[0] * 1e-3)
        let pc2Dot = zip(pca.components[1], pca.components[0]).reduce(Float(0)) { $0 + $1.0 * $1.1 }
        #expect(abs(pc2Dot) < 1e-2)
    }

    @Test func secondComponentIsTheNextStrongestAxis() throws {
        // Variance 9 along axis 2, 1 along axis 0, almost none elsewhere.
        var rows: [Float] = []
        let n = 500
        for i in 0..<n {
            let a = Float(sin(Double(i) * 0.37)), b = Float(cos(Double(i) * 1.91))
            rows += [a, 0.01 * b, 3 * b, 0]
        }
        let pca = try PrincipalComponents(rows: rows, rowCount: n, dim: 4, count: 2)
        #expect(abs(pca.components[0][2]) > 0.999)
        #expect(abs(pca.components[1][0]) > 0.999)
    }

    @Test func projectionIsCenteredAlongTheLine() throws {
        let u: [Float] = [0, 1, 0, 0, 0, 0]
        let rows = Self.pointsOnLine(u, count: 101)
        let pca = try PrincipalComponents(rows: rows, rowCount: 101, dim: 6, count: 2)
        let xy = pca.project(rows: rows, rowCount: 101)
        #expect(abs(xy[50][0]) < 1e-3)  // the middle point is the mean
        #expect(abs(abs(xy[100][0]) - 5) < 1e-2)  // t = 5 at the end
    }

    @Test func wrongShapeThrows() {
        #expect(throws: ReportError.self) { try PrincipalComponents(rows: [1, 2, 3], rowCount: 2, dim: 2) }
    }

    @Test func topCategoriesGetColoursAndTheRestIsOther() throws {
        let view = syntheticItemView(count: 130)
        // Category k has 13 - k items for k < 12 (13, 12, ..., 2); items past those have none.
        var byItem: [String: String] = [:]
        var next = 0
        for k in 0..<12 {
            for _ in 0..<(13 - k) { byItem["item\(next)"] = "c\(k)"; next += 1 }
        }
        let projection = try ItemProjection(view: view, categories: ItemCategories(viewName: "category", byItem: byItem))
        #expect(projection.groups.map(\.name) == (0..<10).map { "c\($0)" })
        #expect(projection.groups.map(\.count) == (0..<10).map { 13 - $0 })
        let colored = projection.points.filter { $0.group != nil }.count
        #expect(colored == (0..<10).reduce(0) { $0 + 13 - $1 })
        #expect(projection.other?.count == 130 - colored)
        #expect(projection.points.first { $0.label.hasPrefix("item0 ") }?.group == 0)
    }

    @Test func largeViewsAreSubsampled() throws {
        let projection = try ItemProjection(view: syntheticItemView(count: 5000, dim: 4), categories: nil, maxPoints: 1000)
        #expect(projection.points.count == 1000)
        #expect(projection.totalItems == 5000)
        #expect(projection.other == nil)
        #expect(Set(projection.points.map(\.label)).count == 1000)
    }
}
