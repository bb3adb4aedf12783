import Hummingbird

/// Gives every error answer a JSON body, `{"error": {"message": ...}}`, as the API promises: Hummingbird's
/// own errors (no route for a path, say) come without one.
struct ErrorMessageMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch var error as HTTPError where error.body == nil {
            error.body =
                error.status == .notFound
                ? "nothing is at \(request.uri.path); the API is under /api (see /api/models)"
                : error.status.reasonPhrase
            throw error
        }
    }
}
