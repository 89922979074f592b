//! A response body handed to actix in slices (issue 8, peak memory).
//!
//! actix-http copies every chunk of a body into the connection's write buffer and
//! keeps that buffer for the life of a keep-alive connection whenever it is at most
//! 128 KB. A 140-itinerary answer (~120 KB) in one chunk therefore left each
//! connection holding ~122 KB after its first large search (3.9 MiB at 32
//! connections); in slices of [`SLICE`] bytes, with the server's write buffer
//! flushed at the same size (`startup.rs`), it stops at ~17 KB. The
//! slices share the answer's allocation (`Bytes::split_to`), nothing is copied
//! twice, and with `TCP_NODELAY` (set on the listener, `startup.rs`) the extra
//! writes are not held back by Nagle's algorithm.

use actix_web::body::{BodySize, MessageBody};
use actix_web::web::Bytes;
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The largest chunk, also the server's `h1_write_buffer_size` (actix's default is
/// 32 KiB): each slice fills the buffer, so it is written before the next is copied.
pub const SLICE: usize = 16 * 1024;

/// `bytes`, [`SLICE`] bytes at a time, with its length announced up front.
pub struct Sliced(Bytes);

impl Sliced {
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        Self(bytes.into())
    }
}

impl MessageBody for Sliced {
    type Error = Infallible;

    fn size(&self) -> BodySize {
        BodySize::Sized(self.0.len() as u64)
    }

    fn poll_next(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        let rest = &mut self.get_mut().0;
        if rest.is_empty() {
            return Poll::Ready(None);
        }
        let n = rest.len().min(SLICE);
        Poll::Ready(Some(Ok(rest.split_to(n))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::to_bytes;

    #[actix_web::test]
    async fn slices_rebuild_the_body_with_its_length() {
        let body: Vec<u8> = (0..(2 * SLICE + 123)).map(|i| (i % 251) as u8).collect();
        let sliced = Sliced::new(body.clone());
        assert_eq!(sliced.size(), BodySize::Sized(body.len() as u64));
        let out = to_bytes(sliced).await;
        assert_eq!(out.ok().as_deref(), Some(&body[..]));
    }

    #[actix_web::test]
    async fn chunks_are_at_most_one_slice() {
        let mut sliced = Sliced::new(vec![7u8; 3 * SLICE + 1]);
        let mut sizes = Vec::new();
        let waker = futures_util::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        while let Poll::Ready(Some(Ok(chunk))) = Pin::new(&mut sliced).poll_next(&mut cx) {
            sizes.push(chunk.len());
        }
        assert_eq!(sizes, vec![SLICE, SLICE, SLICE, 1]);
    }

    #[actix_web::test]
    async fn an_empty_body_has_no_chunks() {
        let mut sliced = Sliced::new(Vec::new());
        assert_eq!(sliced.size(), BodySize::Sized(0));
        let waker = futures_util::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        assert!(matches!(
            Pin::new(&mut sliced).poll_next(&mut cx),
            Poll::Ready(None)
        ));
    }
}
