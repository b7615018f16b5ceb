//! Serving sessions: one over stdio, or one per TCP connection.

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tracing::{info, warn};

use super::backend::Backend;
use super::session::Session;
use super::transport::Connection;

/// Runs one session over stdin/stdout until the client disconnects.
pub async fn serve_stdio<B: Backend>(backend: B) -> std::io::Result<()> {
    Session::new(Connection::stdio(), backend).run().await
}

/// Accepts connections on `listener` forever; each is its own session with a
/// fresh backend from `make_backend`, and any number may run at once.
pub async fn serve_tcp<B, F>(listener: TcpListener, make_backend: F) -> std::io::Result<()>
where
    B: Backend,
    F: Fn() -> B,
{
    loop {
        let (stream, peer) = listener.accept().await?;
        let connection = match Connection::tcp(stream) {
            Ok(c) => c,
            Err(e) => {
                warn!("could not set up the connection from {peer}: {e}");
                continue;
            }
        };
        let session = Session::new(connection, make_backend());
        tokio::spawn(async move {
            info!("session for {peer} started");
            match session.run().await {
                Ok(()) => info!("session for {peer} ended"),
                Err(e) => warn!("session for {peer} ended with an error: {e}"),
            }
        });
    }
}

/// Binds the loopback interface only: the debugger must not be reachable
/// from other machines.
pub async fn bind_loopback(port: u16) -> std::io::Result<TcpListener> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    TcpListener::bind(addr).await.map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!("could not listen on {addr}: {e}; pick a free port or pass --port 0"),
        )
    })
}
