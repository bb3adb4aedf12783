import Hummingbird

/// A router that remembers which methods each of its paths takes, so that a known path asked with
/// another method is answered `405 Method Not Allowed` with an `Allow` header (RFC 9110 §15.5.6), and
/// `OPTIONS` with the same header, instead of Hummingbird's 404.
///
/// Controllers add their routes through it as through the `Router` it wraps; `finish()` then adds the
/// answers for the other methods. `HEAD` is left to the router's `autoGenerateHeadEndpoints`, which
/// answers it wherever `GET` is defined.
final class RouteTable<Context: RequestContext>: RouterMethods {
    let router: Router<Context>
    /// Each path in the order first added, with the methods it takes.
    private var routes: [(path: RouterPath, methods: Set<HTTPRequest.Method>)] = []

    /// The methods a path is given an answer for; others (a made-up method) get the router's 404.
    static var answeredMethods: [HTTPRequest.Method] {
        [.get, .head, .post, .put, .delete, .patch, .options, .trace]
    }

    init(_ router: Router<Context>) {
        self.router = router
    }

    @discardableResult func on<Responder: HTTPResponder>(
        _ path: RouterPath, method: HTTPRequest.Method, responder: Responder
    ) -> Self where Responder.Context == Context {
        if let index = routes.firstIndex(where: { $0.path.description == path.description }) {
            routes[index].methods.insert(method)
        } else {
            routes.append((path, [method]))
        }
        router.on(path, method: method, responder: responder)
        return self
    }

    @discardableResult func add(middleware: any MiddlewareProtocol<Request, Response, Context>) -> Self {
        router.add(middleware: middleware)
        return self
    }

    /// Adds the `405` and `OPTIONS` answers for every path added so far.
    func finish() {
        for (path, methods) in routes {
            var allowed = methods
            if methods.contains(.get) { allowed.insert(.head) }
            allowed.insert(.options)
            let allow = Self.answeredMethods.filter(allowed.contains).map(\.rawValue).joined(separator: ", ")
            for method in Self.answeredMethods where !allowed.contains(method) {
                router.on(path, method: method) { request, _ -> Response in
                    throw HTTPError(
                        .methodNotAllowed, headers: [.allow: allow],
                        message: "\(request.method) is not allowed on \(path); use \(allow)")
                }
            }
            if !methods.contains(.options) {
                router.on(path, method: .options) { _, _ in
                    Response(status: .noContent, headers: [.allow: allow])
                }
            }
        }
    }
}
