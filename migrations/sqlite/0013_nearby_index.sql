-- The duplicate search asks for one service inside a small box: (service, lat, lon) narrows it
-- to the box's latitude band instead of every request of that service in the window.
CREATE INDEX service_requests_service_place ON service_requests(service_code, lat, lon);
