using Makaretu.Dns;
using ServiceMesh.Discovery.Registry;

namespace ServiceMesh.Discovery.Server;

/// <summary>
/// Consul DNS: the message side. Parses, answers through <see cref="DnsRecords"/>, and fits UDP answers as Consul does:
/// shuffled, at most <see cref="UdpAnswerLimit"/> answers without EDNS, then truncated (TC) to the size the client can take.
/// Never throws: FORMERR when unreadable, SERVFAIL when an answer cannot be written.
/// </summary>
internal sealed class DnsResponder(RegistryStore store, TimeSpan ttl)
{
    public const int MaxUdpBytes = 512;

    /// <summary>Consul's dns_config.udp_answer_limit default: answers per UDP reply to a client without EDNS.</summary>
    public const int UdpAnswerLimit = 3;

    private readonly DnsRecords _records = new(store, ttl);

    public byte[] Answer(byte[] query, bool udp)
    {
        Message request;
        try
        {
            request = (Message)new Message().Read(query, 0, query.Length);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Error(query, MessageStatus.FormatError);
        }
        var response = new Message { Id = request.Id, QR = true, Opcode = request.Opcode, RD = request.RD, AA = true };
        response.Questions.AddRange(request.Questions);
        var edns = request.AdditionalRecords.OfType<OPTRecord>().FirstOrDefault();
        if (request.QR || request.Questions.Count != 1)
        {
            response.Status = MessageStatus.FormatError;
        }
        else if (request.Opcode != MessageOperation.Query)
        {
            response.Status = MessageStatus.NotImplemented;
        }
        else
        {
            _records.Resolve(request.Questions[0], response);
        }

        try
        {
            return udp ? FitUdp(response, edns) : response.ToByteArray();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return Error(query, MessageStatus.ServerFailure);
        }
    }

    // Shuffled so clients spread over instances; without EDNS at most 3 answers, and never more than the client takes.
    private static byte[] FitUdp(Message response, OPTRecord? edns)
    {
        var answers = response.Answers.ToArray();
        Random.Shared.Shuffle(answers);
        response.Answers.Clear();
        response.Answers.AddRange(edns is null ? answers.Take(UdpAnswerLimit) : answers);
        var limit = MaxUdpBytes;
        if (edns is not null)
        {
            limit = Math.Max(MaxUdpBytes, (int)edns.RequestorPayloadSize);
            response.AdditionalRecords.Add(new OPTRecord { RequestorPayloadSize = (ushort)Math.Min(limit, 4096) });
        }

        if (response.Length() > limit)
        {
            response.AdditionalRecords.RemoveAll(r => r is not OPTRecord);
            response.TC = true;
            while (response.Length() > limit && response.Answers.Count > 0)
            {
                response.Answers.RemoveAt(response.Answers.Count - 1);
            }
        }

        return response.ToByteArray();
    }

    // A reply to something we could not parse: the query's ID if it has one, and the error code.
    private static byte[] Error(byte[] query, MessageStatus status)
    {
        var response = new Message { QR = true, Status = status };
        if (query.Length >= 2)
        {
            response.Id = (ushort)(query[0] << 8 | query[1]);
        }

        return response.ToByteArray();
    }
}
