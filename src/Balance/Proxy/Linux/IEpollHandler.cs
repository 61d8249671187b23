namespace Balance.Proxy.Linux;

/// <summary>Something registered in an event loop: told which events its descriptor has.</summary>
internal interface IEpollHandler
{
    void OnEvents(int fd, uint events);
}
