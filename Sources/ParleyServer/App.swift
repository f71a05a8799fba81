import Vapor
import JWT
import Prometheus
import ParleyStore
