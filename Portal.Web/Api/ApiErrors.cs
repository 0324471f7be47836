namespace Portal.Web.Api;

/// <summary>Maps the services' exceptions to HTTP problems with the message as the reason (clients show it as is).</summary>
public static class ApiErrors
{
    public static async Task<IResult> Guard(Func<Task<IResult>> action)
    {
        try { return await action(); }
        catch (Exception e) when (Status(e) is int code)
        {
            return Results.Json(new { error = e.Message, type = e.GetType().Name }, statusCode: code);
        }
    }

    private static int? Status(Exception e) => e switch
    {
        KeyNotFoundException or FileNotFoundException or DirectoryNotFoundException => StatusCodes.Status404NotFound,
        UnauthorizedAccessException => StatusCodes.Status403Forbidden,
        InvalidDataException => StatusCodes.Status422UnprocessableEntity,
        NotSupportedException => StatusCodes.Status501NotImplemented,
        ArgumentException or FormatException or System.Text.Json.JsonException => StatusCodes.Status400BadRequest,
        InvalidOperationException => StatusCodes.Status409Conflict,
        Encoders.UploadTooLargeException => StatusCodes.Status413PayloadTooLarge,
        _ => null,
    };
}
