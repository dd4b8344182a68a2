"""Pages for people (served as HTML from app/static, no CDN): one router per concern, included by the factory."""
