namespace Portal.Web.Http;

/// <summary>Maps the services' exceptions to HTTP problems with the message as the reason (clients show it as is).</summary>
public static class ApiErrors
{
    public static async Task<IResult> Guard(Func<Task<IResult>> action)
    {
        try { return await action(); }
        catch (StateConflictException e)
        {
            return Results.Json(new { error = e.Message, type = e.GetType().Name, state = e.State }, statusCode: StatusCodes.Status409Conflict);
        }
        catch (Exception e) when (StorageFaults.Status(e) is int storage)
        {
            return Results.Json(new { error = StorageFaults.Message(storage), type = e.GetType().Name }, statusCode: storage);
        }
        catch (Exception e) when (Status(e) is int code)
        {
            return Results.Json(new { error = e.Message, type = e.GetType().Name }, statusCode: code);
        }
    }

    private static int? Status(Exception e) => e switch
    {
        UnsupportedContentTypeException => StatusCodes.Status415UnsupportedMediaType,
        KeyNotFoundException or FileNotFoundException or DirectoryNotFoundException => StatusCodes.Status404NotFound,
        UnauthorizedAccessException => StatusCodes.Status403Forbidden,
        InvalidDataException => StatusCodes.Status422UnprocessableEntity,
        NotSupportedException => StatusCodes.Status501NotImplemented,
        ArgumentException or FormatException or System.Text.Json.JsonException => StatusCodes.Status400BadRequest,
        InvalidOperationException => StatusCodes.Status409Conflict,
        UploadTooLargeException => StatusCodes.Status413PayloadTooLarge,
        QuotaExceededException => StatusCodes.Status429TooManyRequests,
        _ => null,
    };
}

/// <summary>The request body is not of the one type the endpoint takes: 415.</summary>
public sealed class UnsupportedContentTypeException(string message) : ArgumentException(message);
