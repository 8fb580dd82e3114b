import Foundation

extension SyntheticEventGenerator {
    /// One event as a JSON line (with the trailing newline).
    public static func jsonLine(_ event: Event) -> String {
        let category = event.attribute("category") ?? ""
        let shop = event.attribute("shop") ?? ""
        return "{\"user_id\":\"\(event.user)\",\"item_id\":\"\(event.item)\",\"timestamp\":\(event.timestampMillis / 1000),"
            + "\"category\":\"\(category)\",\"shop\":\"\(shop)\"}\n"
    }
}
